"""The core: plain data and ports; it never imports a chat SDK."""
