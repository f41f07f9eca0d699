"""Responses and labels recorded outside a run: the paper's results files, worksheets filled by
hand for chatbots without an API and for people, and human annotation sheets. Each source is
read, validated and replayed through the same tasks, scorers and judges as a live run."""
