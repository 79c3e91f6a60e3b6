package health

// addContainerCheckers registers aws:ecs:cluster and aws:ecs:task.
func addContainerCheckers(r Registry) {}
