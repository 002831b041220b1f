"""Markdown typed by users is rendered once, when it is saved, and its sanitised HTML stored with the row.

A model lists its Markdown columns in MARKDOWN_FIELDS and has two columns of its own:
`rendered_html` (a JSON object: column name -> HTML) and `rendered_version` (the
RENDERER_VERSION that produced it). Pages read the stored HTML; a row written by an
older renderer is rendered again on read until `portal markdown rerender` stores it anew.
"""
import json

from markupsafe import Markup

from portal.markdown import RENDERER_VERSION, render_markdown


class StoredMarkdown:
    """Mixin for peewee models: `save()` renders the Markdown columns that changed."""

    MARKDOWN_FIELDS: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        """Store the rendered HTML with the row when a Markdown column changed or the renderer is newer."""
        # peewee notes in `_dirty` the columns set since the row was loaded (all of them on create).
        if self.rendered_version != RENDERER_VERSION or set(self.MARKDOWN_FIELDS) & self._dirty:
            for name, value in rendered_columns(type(self), {f: getattr(self, f) for f in self.MARKDOWN_FIELDS}).items():
                setattr(self, name, value)
        return super().save(*args, **kwargs)


def rendered_columns(model, values: dict) -> dict:
    """`rendered_html` and `rendered_version` for a write of `values` (every Markdown column of `model`)."""
    html = {name: str(render_markdown(values.get(name) or "")) for name in model.MARKDOWN_FIELDS}
    return {"rendered_html": json.dumps(html), "rendered_version": RENDERER_VERSION}


def stored_html(row, name: str) -> Markup:
    """The sanitised HTML of `row`'s Markdown column `name`: stored, or rendered now if stored by an older renderer."""
    if getattr(row, "rendered_version", None) == RENDERER_VERSION and row.rendered_html:
        html = json.loads(row.rendered_html).get(name)
        if html is not None:
            return Markup(html)
    return render_markdown(getattr(row, name) or "")


def rerender(models, batch: int = 200) -> int:
    """Store fresh HTML for every row of `models` written by an older renderer; returns how many."""
    done = 0
    for model in models:
        fields = [getattr(model, name) for name in model.MARKDOWN_FIELDS]
        while True:
            rows = list(model.select(model.id, *fields)
                        .where(model.rendered_version != RENDERER_VERSION).order_by(model.id).limit(batch))
            if not rows:
                break
            for row in rows:
                values = {name: getattr(row, name) for name in model.MARKDOWN_FIELDS}
                # An update query, not save(): a row's version and timestamps stay as they were.
                model.update(rendered_columns(model, values)).where(model.id == row.id).execute()
            done += len(rows)
    return done


def markdown_models():
    """Every model whose rows carry stored Markdown HTML: the StoredMarkdown models the features define.

    Found by subclass, so this core module names no feature (the app factory has imported them all).
    """
    found, stack = [], list(StoredMarkdown.__subclasses__())
    while stack:
        model = stack.pop(0)
        stack.extend(model.__subclasses__())
        if model.MARKDOWN_FIELDS and model not in found:
            found.append(model)
    return sorted(found, key=lambda m: m.__name__)

