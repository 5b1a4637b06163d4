"""Environmental rapid-response cases: public petitions, stages with set deadlines, outcomes."""
