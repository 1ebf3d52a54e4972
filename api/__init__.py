"""The FastAPI application: the app factory, authentication, the error shape (RFC 9457
problem details), request and response schemas, and the routes. Nothing imports ``api``."""
