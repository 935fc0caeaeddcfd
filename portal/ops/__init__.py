"""Blueprint package of the operators' endpoints: health for the load balancer, metrics for Prometheus."""
