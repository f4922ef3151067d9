"""Writes of the discovery app, one module per concern (import from them).

    indexing         the derived search data: lexical rows, vectors, signatures
    saved_searches   a person's saved searches, and notifying them of new matches
    copies           this process's in-memory copies of the indexes, built ahead of use
"""
