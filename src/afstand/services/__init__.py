"""afstand.services: the only code that joins the core to the database.

Plain Python with Django ORM access and no request objects. The CLI and the web views both
call these functions; views never import the core, and services never import views.
"""

from afstand.errors import AfstandError

__all__ = ["AfstandError"]  # the error every service raises on bad input; views show its message
