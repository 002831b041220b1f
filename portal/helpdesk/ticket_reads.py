"""What a ticket's page reads besides the ticket and its replies, each query's SQL built once."""
from portal.helpdesk.models import ArticleLink, Attachment, CannedAnswer
from portal.sqlfunc import PreparedQuery

_ATTACHMENTS = PreparedQuery(lambda ticket_id: Attachment.select().where(Attachment.ticket == ticket_id)
                             .order_by(Attachment.id))
_LINKS = PreparedQuery(lambda ticket_id: ArticleLink.select().where(ArticleLink.ticket == ticket_id)
                       .order_by(ArticleLink.id))
_CANNED = PreparedQuery(lambda: CannedAnswer.select().order_by(CannedAnswer.title))


def attachments(ticket) -> list[Attachment]:
    """The ticket's files, in the order they came."""
    return list(_ATTACHMENTS(ticket.id))


def article_links(ticket) -> list[ArticleLink]:
    """The knowledge articles linked to the ticket, in the order they were linked."""
    return list(_LINKS(ticket.id))


def canned_answers() -> list[CannedAnswer]:
    """The help desk's canned answers, by title (agents pick one while replying)."""
    return list(_CANNED())
