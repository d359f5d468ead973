"""The national form as data: the cell template of 2021 and 2019 (and the mixed layout), the printed labels
that recognise rows and columns, section headings, and the semantics of a printed cell. Every stage may
read it; it imports nothing of gongkai."""
