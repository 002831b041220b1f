"""Demo data for the knowledge base: the shipped articles, acknowledgements, training, and 500 more for scale."""
import random

from portal.auth.models import User
from portal.db import db, utcnow
from portal.kb.models import Acknowledgement, Article, Revision, TrainingCompletion
from portal.kb.search import index_article
from portal.kb.services import sync_if_due

WORDS = ("project budget risk issue change scope schedule milestone sponsor steering benefit charter "
         "status report amber green red escalation dependency resource vendor contract closure lesson "
         "stakeholder quality assurance baseline forecast variance approval gate register mitigation").split()


def demo_step(scale: str, rng: random.Random) -> str:
    """Index the knowledge folder, then acknowledge and train a few demo users; 500 articles for 'large'."""
    changed = sync_if_due(force=True)
    people = {u.email: u for u in User.select().where(User.email.in_(["manager@demo.pmo", "pmo@demo.pmo",
                                                                       "manager2@demo.pmo", "member@demo.pmo"]))}
    standards = list(Article.visible().where(Article.mandatory == True).order_by(Article.id))  # noqa: E712
    modules = list(Article.visible().where(Article.section == "training").order_by(Article.module_order))
    with db.atomic():
        for email, n_acks, n_modules in (("pmo@demo.pmo", 99, 5), ("manager@demo.pmo", 2, 2),
                                         ("manager2@demo.pmo", 1, 1), ("member@demo.pmo", 0, 3)):
            user = people.get(email)
            if user is None:
                continue
            for a in standards[:n_acks]:
                Acknowledgement.insert(user=user.id, article=a.id, doc_version=a.doc_version).on_conflict_ignore().execute()
            for m in modules[:n_modules]:
                TrainingCompletion.insert(user=user.id, article=m.id).on_conflict_ignore().execute()
    extra = _generate(rng) if scale == "large" else 0
    return f"kb: {changed} article(s) synced from the folder, {extra} generated"


def _generate(rng: random.Random, count: int = 500) -> int:
    """Bulk-insert generated articles (DB and index only, no files) under section 'library'."""
    existing = {p for (p,) in Article.select(Article.path).where(Article.section == "library").tuples()}
    rows, now = [], utcnow()
    for i in range(count):
        path = f"library/note-{i:04d}.md"
        if path in existing:
            continue
        title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} note {i}"
        body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(8))
        text = f"---\ntitle: {title}\nsummary: Generated note {i}\ntags: [generated]\nversion: 1\n---\n\n# {title}\n\n{body}\n"
        rows.append(dict(path=path, section="library", slug=f"note-{i:04d}", title=title, summary=f"Generated note {i}",
                         tags="generated", text=text, revision=1, updated_at=now))
    with db.atomic():
        for start in range(0, len(rows), 100):
            Article.insert_many(rows[start:start + 100]).execute()
        created = list(Article.select().where(Article.path.in_([r["path"] for r in rows])))
        Revision.insert_many([dict(article=a.id, number=1, text=a.text, message="Generated", created_at=now)
                              for a in created]).execute() if created else None
        for a in created:
            index_article(a, a.text.split("---\n", 2)[-1])
    return len(created)
