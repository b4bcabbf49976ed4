"""Dashboard pages; each module has TITLE and render(filters, catalog, path)."""
