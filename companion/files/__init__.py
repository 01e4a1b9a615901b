"""Reading files, and files from others: size, type, encoding and depth limits before anything is
parsed.
"""
