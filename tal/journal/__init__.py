"""The journal « erreurs et apprentissages »."""
