"""Workbenches (工作台) of the hotline desks and the units: queues of orders with the moves each
desk makes on them. Reads go through `visible_to`, writes through `workorders.services`."""
