"""The Google Apps Script add-on sources (Code.gs, Service.gs, Sidebar.html, Setup.html,
appsscript.json).

`app.addon.export.write_addon` writes them, with a service URL baked in, ready to paste into the
Apps Script editor or push with clasp.
"""
