"""How the demo pages were written: ``.legal`` sources and the renderer that turns them into\nthe HTML under ``demo/sites``. Only the renderer ships; see ``render``."""
