"""Rules several stages share: word patterns, topic words, date wording."""
