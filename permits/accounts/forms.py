"""The account forms; every label and message is marked for translation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()],
        description=_l("At least 12 characters, and not a common password. A few unrelated words make a good one."))
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new_password", _l("must match the new password"))])
    submit = SubmitField(_l("Change password"))


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Length(max=100)],
                       description=_l("For example: the inspectors' tablet, or our ERP."))
    submit = SubmitField(_l("Create token"))


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""

    submit = SubmitField(_l("Confirm"))


class LanguageForm(FlaskForm):
    """The account's interface language; the choices are the offered languages, set by the view."""

    language = SelectField(_l("Language of the pages"), choices=[],
                           description=_l("Used whenever you are signed in, on any device."))
    submit = SubmitField(_l("Save language"))


class AccountRequestForm(FlaskForm):
    """Someone without an account asks for one; the role and country choices are set by the view."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("What you need to do"), choices=[], validate_choice=False)
    organization_name = StringField(_l("Company, facility or agency"), validators=[Length(max=200)])
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Anything the administrators should know"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Ask for an account"))
