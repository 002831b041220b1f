"""Forms for documents: upload, start from a template, delete."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from portal.documents.models import FOLDERS


class UploadForm(FlaskForm):
    """A file into a folder; the same name in the same folder becomes its next version."""

    file = FileField("File")
    folder = SelectField("Folder", choices=list(FOLDERS.items()), default="other")
    note = StringField("What changed", validators=[Optional(), Length(max=500)])


class TemplateForm(FlaskForm):
    template = SelectField("Template", validate_choice=False)


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (delete)."""
