"""Reading and writing event logs: the reader (CSV rows to typed events), its sources
(files, standard input, encodings, line bounds, sorting), the headings it understands,
time text, and the writer (events back to rows), the reader's inverse."""
