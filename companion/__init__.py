"""companion: a bilingual self-management companion for acute low back pain."""

__version__ = "0.1.0"
