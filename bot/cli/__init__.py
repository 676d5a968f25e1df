"""The ``agribot`` command line."""
