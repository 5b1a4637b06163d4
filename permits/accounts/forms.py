"""The account forms; every label and message is marked for translation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Sign in"))


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Length(max=100)],
                       description=_l("For example: the inspectors' tablet, or our ERP."))
    submit = SubmitField(_l("Create token"))


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""

    submit = SubmitField(_l("Confirm"))
