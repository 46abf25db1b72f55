"""Replications: experiments sharing an intervention key, pooled per shared metric."""
