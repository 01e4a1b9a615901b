"""The journey: which conversation comes next for one person, stored answer by answer."""
