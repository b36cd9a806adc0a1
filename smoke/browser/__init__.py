"""The browser side: finding Chromium, one browser per worker, page loads, login, politeness."""
