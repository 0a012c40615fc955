"""Stories: the same event across outlets. `wires` says which agency's dispatch a text is,
`terms` reads the words of a title and lead that stories are matched on, `assign` joins
an article to its story (its original's, for a copy) or opens a new one, with the
evidence, and `restory` does it again for articles already stored."""
