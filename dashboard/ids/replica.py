"""Component IDs of the read replica's indicator on the wall (副本延迟 / 读主库)."""

LAG = "rep-lag"  # the indicator: empty while the replica is close behind (or none is configured)
TICK = "rep-tick"  # how often the wall asks where its reads go
