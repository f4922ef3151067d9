"""Reads of the discovery app, one module per kind of question (import from them).

    lexical    assets_lexical_search: the lexical backend over what a viewer may see
    search     assets_search: hybrid search with facets, sort, pages and snippets;
               assets_dense_search, assets_hybrid_search (ranked ids)
    matching   need → technologies, technology → needs, asset → partner
               organisations, person → mentors; each match with its reasons
    similar    at registration: similar existing assets and near-duplicates
    saved      a person's saved searches
"""
