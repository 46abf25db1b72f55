"""The register of experiments: plan, pre-registration, iterations, learning cards."""
