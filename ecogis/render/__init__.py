"""Renderers: turn result objects into JSON, HTML, DOCX, XLSX and maps. Renderers never compute."""
