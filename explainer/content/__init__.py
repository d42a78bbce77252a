"""App content that is data: the journey and the glossary."""
