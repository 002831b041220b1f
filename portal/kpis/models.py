"""The KPIs read the knowledge base's daily view counter; it lives in portal.kb.models and is named here too."""
from portal.kb.models import ArticleViewDay, count_view

__all__ = ["ArticleViewDay", "count_view"]
