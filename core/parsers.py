"""The API's JSON parser (its own module, as the renderer: DRF's settings import it before the views)."""

from __future__ import annotations

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deep for Python's decoder (thousands of `[` or `{`) answered
    as the malformed JSON it is (400 `parse_error`) instead of a RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
