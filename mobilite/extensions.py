"""Extensions, created unbound and attached to an app by create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from mobilite.db import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
