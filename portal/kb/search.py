"""Full-text search over articles: FTS5 on SQLite, tsvector on PostgreSQL, behind `search`."""
from dataclasses import dataclass
from html import unescape

import nh3
from markupsafe import Markup, escape

from portal.db import db, is_sqlite
from portal.kb.models import Article
from portal.markdown import render_markdown

MAX_TERMS = 12
MAX_QUERY = 500  # characters read from the query; the rest is ignored
START, STOP = "\x02", "\x03"  # highlight markers, replaced after escaping
# SQLite keeps two FTS5 tables with the same rows: stemmed words (porter: "escalation" is stored as
# "escal") and the words as written, where a half-typed word ("escala") is a prefix of the stored one.
SQLITE_TABLES = ("kb_search", "kb_search_words")


@dataclass
class Hit:
    """One search result: the article and an escaped snippet with <mark>ed terms."""

    article: Article
    snippet: Markup


def terms(query: str) -> list[str]:
    """The words of a query: letters and digits only, so no query syntax gets through."""
    words, current = [], []
    for ch in (query or "")[:MAX_QUERY]:
        if ch.isalnum():
            current.append(ch.lower())
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    seen = []
    for w in words:
        if w not in seen:
            seen.append(w[:60])
    return seen[:MAX_TERMS]


def _highlight(snippet: str) -> Markup:
    return Markup(str(escape(snippet or "")).replace(START, "<mark>").replace(STOP, "</mark>"))


def plain_text(markdown_body: str) -> str:
    """Body text for the index and its snippets: the rendered article without markup (no `**`, `#`, `|`)."""
    text = nh3.clean(str(render_markdown(markdown_body or "")), tags=set())
    return " ".join(unescape(text).split())


def index_article(article: Article, body: str) -> None:
    """Put (or replace) an article in the index; call inside the saving transaction."""
    row = (article.title, article.summary, article.tags.replace(",", " "), plain_text(body))
    if is_sqlite():
        for table in SQLITE_TABLES:
            db.execute_sql(f"DELETE FROM {table} WHERE rowid = ?", (article.id,))
            db.execute_sql(f"INSERT INTO {table} (rowid, title, summary, tags, body) VALUES (?, ?, ?, ?, ?)",
                           (article.id, *row))
    else:
        db.execute_sql(
            "INSERT INTO kb_search (article_id, title, summary, tags, body) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, summary = EXCLUDED.summary, "
            "tags = EXCLUDED.tags, body = EXCLUDED.body", (article.id, *row))


def unindex_article(article_id: int) -> None:
    """Drop an article from the index."""
    if is_sqlite():
        for table in SQLITE_TABLES:
            db.execute_sql(f"DELETE FROM {table} WHERE rowid = ?", (article_id,))
    else:
        db.execute_sql("DELETE FROM kb_search WHERE article_id = %s", (article_id,))


def clear_index() -> None:
    """Empty the index before a full rebuild."""
    for table in SQLITE_TABLES if is_sqlite() else ("kb_search",):
        db.execute_sql(f"DELETE FROM {table}")


def _sqlite_rows(words, limit, offset, any_word=False):
    # Each word becomes a quoted prefix term: FTS5 operators (NEAR, OR, *, ^, :) cannot appear.
    # Both tables are asked (stemmed whole words, written prefixes); an article found by either counts once,
    # with the better rank and, by preference, the snippet of the written words.
    match = (" OR " if any_word else " ").join(f'"{w}"*' for w in words)
    found = {}  # rowid: (rank, the table whose snippet it shows)
    for table in reversed(SQLITE_TABLES):
        sql = (f"SELECT rowid, bm25({table}, 10.0, 4.0, 6.0, 1.0) AS rank FROM {table} "
               f"WHERE {table} MATCH ? ORDER BY rank LIMIT ?")
        for rowid, rank in db.execute_sql(sql, (match, limit + offset)).fetchall():
            if rowid not in found:
                found[rowid] = (rank, table)
            elif rank < found[rowid][0]:
                found[rowid] = (rank, found[rowid][1])
    shown = sorted(found, key=lambda rowid: (found[rowid][0], rowid))[offset:offset + limit]
    # Snippets only for the page's rows: SQLite would otherwise make one for every match before the sort.
    snippets = {}
    for table in SQLITE_TABLES:
        ids = [rowid for rowid in shown if found[rowid][1] == table]
        if ids:
            sql = (f"SELECT rowid, snippet({table}, 3, ?, ?, '…', 24) FROM {table} "
                   f"WHERE {table} MATCH ? AND rowid IN ({', '.join('?' * len(ids))})")
            snippets.update(db.execute_sql(sql, (START, STOP, match, *ids)).fetchall())
    return [(rowid, snippets[rowid], found[rowid][0]) for rowid in shown]


def _pg_rows(words, limit, offset, any_word=False):
    # Words are alphanumeric, so `word:*` joined with & or | is always a valid tsquery. The English
    # query matches stemmed words ("reports" for "reporting"); the simple one matches what is being
    # typed as a prefix of the words as written ("escala" of "escalation", whose stem "escal" it is not).
    tsquery = (" | " if any_word else " & ").join(f"{w}:*" for w in words)
    # Rank and cut to one page first, so ts_headline (the slow part) runs only on shown rows. Its two
    # fragments of up to 12 words are about as long as SQLite's 24-token snippet.
    sql = ("SELECT top.article_id, ts_headline('simple', top.body, top.qs || top.qe, %s), top.rank FROM ("
           "SELECT s.article_id, s.body, qs, qe, ts_rank(s.tsv, qe) + ts_rank(s.words, qs) AS rank "
           "FROM kb_search s, to_tsquery('english', %s) qe, to_tsquery('simple', %s) qs "
           "WHERE s.tsv @@ qe OR s.words @@ qs "
           "ORDER BY rank DESC, s.article_id LIMIT %s OFFSET %s) top ORDER BY top.rank DESC, top.article_id")
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=12, MinWords=6, MaxFragments=2, FragmentDelimiter=\" … \""
    return db.execute_sql(sql, (options, tsquery, tsquery, limit, offset)).fetchall()


def search(query: str, page: int = 1, per_page: int = 50, any_word: bool = False) -> list[Hit]:
    """Ranked hits for any text; [] when it has no searchable words.

    any_word=True matches articles with any of the words (ranked by how well they
    match), for suggestions from a sentence rather than a search box.
    """
    words = terms(query)
    if any_word:
        words = [w for w in words if len(w) > 2] or words
    if not words:
        return []
    offset = (max(page, 1) - 1) * per_page
    rows = (_sqlite_rows if is_sqlite() else _pg_rows)(words, per_page + 1, offset, any_word)
    ids = [r[0] for r in rows]
    articles = {a.id: a for a in Article.visible().where(Article.id.in_(ids))} if ids else {}
    return [Hit(articles[r[0]], _highlight(r[1])) for r in rows if r[0] in articles]
