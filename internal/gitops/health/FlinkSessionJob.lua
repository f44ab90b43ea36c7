-- flink.apache.org/FlinkSessionJob: a job on a session cluster.
return flinkResult(obj)
