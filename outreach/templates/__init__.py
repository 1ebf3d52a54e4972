"""The built-in Jinja templates of outreach (``{kind}_{variant}.{format}.j2``).

A package only so that the templates are installed with ``pip install .``.
"""
