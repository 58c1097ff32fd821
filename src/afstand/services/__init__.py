"""afstand.services: the only code that joins the core to the database.

Plain Python with Django ORM access and no request objects. The CLI and the web views both
call these functions; views never import the core, and services never import views.
"""
