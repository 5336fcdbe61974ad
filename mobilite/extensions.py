"""Extensions, created unbound and attached to an app by create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_smorest import Api as _SmorestApi
from flask_smorest.pagination import PaginationMetadataSchema
from flask_wtf.csrf import CSRFProtect

from mobilite.db import Database


class Api(_SmorestApi):
    """flask-smorest, whose JSON error handler stays on the API's own blueprints (see mobilite.api):
    the HTML pages keep their error pages."""

    def _register_error_handlers(self):
        pass

    def _register_pagination_header(self):
        # X-Pagination carries a JSON object: say so (content), rather than a header "of type object",
        # which OpenAPI would read as comma-separated key,value pairs.
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata, as a JSON object.",
                "content": {"application/json": {"schema": PaginationMetadataSchema}},
            },
            lazy=True,
        )


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()
