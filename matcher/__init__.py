"""Matching creators to briefs: the pure core and the service around it.

This package owns how a creator becomes text (``documents``) and a vector (``embedder``),
the per-organisation dense index (``index``, the only module that imports faiss), the BM25
lexical index (``lexical``), and the fusion of their candidate lists (``fusion``). These
modules know numpy, faiss, scikit-learn and sentence-transformers, never the database or
the web layer. Submodules are imported explicitly (``from matcher.index import
VectorIndex``) so that importing one piece does not load torch or faiss.
"""
