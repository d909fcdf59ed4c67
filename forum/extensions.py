"""Flask extensions, created unbound and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from forum.db import db
from forum.safety.client_key import request_client_key

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=request_client_key)

__all__ = ["csrf", "db", "limiter", "login_manager", "migrate"]
