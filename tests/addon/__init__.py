"""Tests of the Apps Script add-on: JS logic (node), the sidebar in Chromium, the export."""
