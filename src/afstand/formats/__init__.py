"""File formats of statistics packages (pure core: no Django)."""
