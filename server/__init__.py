"""The serving process of NMF Lab (``streamlit run serve.py``), kept apart from the pages.

- :mod:`server.protocol`: a small client of Streamlit's browser protocol (build the rerun
  message, read the answers), over a websocket or inside the server process.
- :mod:`server.viewer_guard`: a middleware on the websocket that drops a viewer's
  ``clear_cache``, closes on a text frame without a traceback and caps upload-URL requests.
- :mod:`server.warmup`: the warm start: import what the pages import, run every page's default
  view once, and hold health checks and new sessions until that is done.

Nothing here is imported by the pages; it imports Streamlit, Starlette and (for the websocket
client only) ``websockets``, all installed with Streamlit.
"""
