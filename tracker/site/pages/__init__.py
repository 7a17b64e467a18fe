"""Groups of generated pages: each module has ``add_pages(writer, data)``."""
