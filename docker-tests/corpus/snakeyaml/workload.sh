# SnakeYAML: 800 random documents (maps, lists, scalars that need quoting) dumped in block and
# flow style and loaded back.
DESCRIPTION="snakeyaml: random YAML documents dumped (block, flow) and loaded back"
VERSIONS="snakeyaml 2.3"
workload_args() {
  ARGS=(-cp "$CP" corpus.YamlDriver)
}
