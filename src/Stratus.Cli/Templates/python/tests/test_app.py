"""Run with `python3 -m unittest discover -s tests`: the handler is a plain function, tested without a server."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from app import handler  # noqa: E402


class HandlerTest(unittest.TestCase):
    def test_greets_the_caller_by_name(self):
        self.assertEqual(handler({"name": "Ada"}, None), {"message": "Hello, Ada!"})

    def test_greets_the_world_when_no_name_is_given(self):
        self.assertEqual(handler({}, None), {"message": "Hello, world!"})


if __name__ == "__main__":
    unittest.main()
