"""Evaluation of stored experiments: snapshots of tal.stats results, their French
sentences and their charts."""
