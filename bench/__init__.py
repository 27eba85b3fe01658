"""Speed and memory benchmarks (see BENCHMARKS.md); ratios against a baseline in the same run."""
