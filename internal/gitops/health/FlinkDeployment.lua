-- flink.apache.org/FlinkDeployment: an application or session cluster.
return flinkResult(obj)
