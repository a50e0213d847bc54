"""Services: load rows, call the domain, write rows. They flush, never commit."""
